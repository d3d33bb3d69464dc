// Errors from the Port client. They carry what a caller needs to react (status, Port's error
// code, details) and nothing that could leak a credential: no request headers, no request body,
// no axios config. Every text field has been passed through the redactor before it gets here.

export interface PortApiErrorInit {
  status: number;
  /** Port's `error` code (`not_found`, `forbidden_format_change`, …), or a client-side one. */
  code: string;
  message: string;
  details?: unknown;
  method: string;
  path: string;
  attempts: number;
  hint?: string;
}

export class PortApiError extends Error {
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  readonly method: string;
  readonly path: string;
  /** How many times the request was sent. */
  readonly attempts: number;
  /** Port's own message, without our prefix. */
  readonly portMessage: string;

  constructor(init: PortApiErrorInit) {
    const where = `${init.method} ${init.path}`;
    const what = init.status ? `${init.status} ${init.code}` : init.code;
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : '';
    super(`Port API ${where} failed${tries}: ${what}: ${init.message}${init.hint ? ` — ${init.hint}` : ''}`);
    this.name = 'PortApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    this.portMessage = init.message;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      status: this.status,
      code: this.code,
      message: this.portMessage,
      details: this.details,
      method: this.method,
      path: this.path,
      attempts: this.attempts,
    };
  }
}

/** The body we were about to send does not match Port's published schema; nothing was sent. */
export class PortRequestSchemaError extends Error {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly problems: string[];

  constructor(operation: string, method: string, path: string, problems: string[]) {
    super(
      `Refusing to send ${method} ${path}: the body does not match Port's published schema for "${operation}" (schemas/port-api/${operation}.json): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; …and ${problems.length - 5} more` : ''}`,
    );
    this.name = 'PortRequestSchemaError';
    this.operation = operation;
    this.method = method;
    this.path = path;
    this.problems = problems;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, operation: this.operation, method: this.method, path: this.path, problems: this.problems };
  }
}
