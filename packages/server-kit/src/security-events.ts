/** A security event's level: `warn` for what an attacker (or a broken client) does, `info` for the rest. */
export type SecurityEventLevel = 'info' | 'warn';

/** A field of a security event: a name, a number, a yes/no — never an object that could carry a secret. */
export type SecurityEventValue = string | number | boolean;

/** Each event's fields, by event name: the server's catalogue, as a type. */
export type SecurityEventFieldMap = { [event: string]: { [field: string]: SecurityEventValue | undefined } };

/** How each event is logged: its level and a fixed message (the fields carry the variable part). */
export type SecurityEventCatalog<Fields extends SecurityEventFieldMap> = {
  readonly [Event in keyof Fields]: { readonly level: SecurityEventLevel; readonly message: string };
};

/** The part of a pino logger security events use. */
export interface SecurityEventLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Told of every event as it is logged (to count it, say). */
export type SecurityEventObserver<Fields extends SecurityEventFieldMap> = <Event extends keyof Fields & string>(
  event: Event,
  fields: Fields[Event],
) => void;

/** A server's security events: one call writes the log line (and tells the observer). */
export interface SecurityEvents<Fields extends SecurityEventFieldMap> {
  emit<Event extends keyof Fields & string>(event: Event, fields: Fields[Event]): void;
}

/**
 * The audit trail a SIEM ingests: one structured log line per security event, with a stable `event`
 * field (the name, snake_case), the event's documented fields, and a fixed message. Fields are typed
 * per event, so a call site cannot add a token or an object by accident; undefined fields are left
 * out. `observe` sees each event after it is logged (the authorization server counts them); an
 * observer that throws is the observer's bug and does not stop the request.
 *
 * @example
 * const events = createSecurityEvents(catalog, app.log);
 * events.emit('refresh_token_reused', { client_id: 'web-app' });
 * // {"level":40,"event":"refresh_token_reused","client_id":"web-app","msg":"rotated refresh token reused"}
 */
export function createSecurityEvents<Fields extends SecurityEventFieldMap>(
  catalog: SecurityEventCatalog<Fields>,
  log: SecurityEventLog,
  observe?: SecurityEventObserver<Fields>,
): SecurityEvents<Fields> {
  return {
    emit(event, fields) {
      const { level, message } = catalog[event];
      const line: Record<string, SecurityEventValue> = {};
      for (const [name, value] of Object.entries(fields)) if (value !== undefined) line[name] = value;
      // Last, so no field can pass for another event.
      line.event = event;
      log[level](line, message);
      try {
        observe?.(event, fields);
      } catch {
        // Counting must never turn a security decision into a 500.
      }
    },
  };
}
