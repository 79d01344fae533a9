/**
 * Problems that stop a process at start and that the person starting it can fix: each is one line that
 * says what is wrong and which variable or command fixes it. Entry points print the line as it is
 * (like a configuration error) and exit 1, instead of a stack trace or an SDK's transport error.
 */
import net from 'node:net';

export class StartupProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupProblem';
  }
}

/** e.g. "api: port 3000 is in use (set PORT to another port)". */
export function portInUseMessage(processName: string, what: string, port: number, variable: string, alternative?: string): string {
  return `${processName}: ${what} ${port} is in use (set ${variable} to another port${alternative ? `, ${alternative}` : ''})`;
}

export function isAddressInUse(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'EADDRINUSE' || (typeof message === 'string' && /address already in use/i.test(message));
}

/** True when something already listens on host:port (checked by trying to listen there for a moment). */
export function isPortInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', (error) => (isAddressInUse(error) ? resolve(true) : reject(error)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}
