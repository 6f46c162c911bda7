import type { Role } from '../domain/access/events.ts';

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
  'evaluation:record',
  'alias:set',
  'context:admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

// Roles are the access-control domain's (a RoleGranted event names one); what each permits is decided here.
export { ROLES, type Role } from '../domain/access/events.ts';

const viewer: Permission[] = ['model:view', 'format:download'];
const editor: Permission[] = [...viewer, 'model:create', 'model:update', 'version:create', 'version:update', 'version:publish', 'format:upload', 'format:delete', 'evaluation:record', 'alias:set'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer,
  editor,
  admin: PERMISSIONS,
};

export function permissionsOf(roles: Iterable<Role>): Set<Permission> {
  return new Set([...roles].flatMap((r) => ROLE_PERMISSIONS[r]));
}
