/** What a principal may do in a context, granted through roles held directly or through groups. */
export const PERMISSIONS = [
  'model:view',
  'model:create',
  'model:update',
  'model:delete',
  'version:create',
  'version:update',
  'version:publish',
  'version:delete',
  'format:upload',
  'format:download',
  'format:delete',
  'context:admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const viewer: Permission[] = ['model:view', 'format:download'];
const editor: Permission[] = [...viewer, 'model:create', 'model:update', 'version:create', 'version:update', 'version:publish', 'format:upload', 'format:delete'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer,
  editor,
  admin: PERMISSIONS,
};

export function permissionsOf(roles: Iterable<Role>): Set<Permission> {
  return new Set([...roles].flatMap((r) => ROLE_PERMISSIONS[r]));
}
