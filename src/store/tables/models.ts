export interface ModelsTable {
  id: string;
  context_id: string;
  name: string;
  description: string | null;
  tags: string[];
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  version_count: number;
  highest_number: number;
  stream_version: number;
}
