// An error the user caused and can fix (a bad flag, a missing package, a
// config that cannot work). The CLI prints its message as one line and exits
// with code 2, without a stack trace.
export class UserError extends Error {
  override name = 'UserError';
}
