/** The product limits the domain enforces, passed into decide(); config.ts builds them from the environment. */
export interface Limits {
  maxVersions: number;
  formats: readonly string[];
  maxFormats: number;
  maxUploadBytes: number;
}
