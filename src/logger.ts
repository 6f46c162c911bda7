import pino from 'pino';

export type Logger = pino.Logger;

/** JSON lines on stdout. Authorization headers and tokens are redacted wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cairn' },
      redact: { paths: ['req.headers.authorization', '*.token', 'token'], censor: '[redacted]' },
    },
    destination,
  );
}
