import { CallbackError } from './errors.js';
/**
 * Fills `{epoch}` and metric names in a path, with Python-style specs as Keras's ModelCheckpoint takes
 * them: `{epoch:02d}`, `{val_loss:.4f}`. `epoch` is 1-based, as Keras formats it.
 */
export function formatPath(template: string, values: Record<string, number>): string {
  return template.replace(
    /\{([A-Za-z_][\w]*)(?::([^}]*))?\}/g,
    (whole, name: string, spec: string | undefined) => {
      const value = values[name];
      if (value === undefined)
        throw new CallbackError(
          `modelCheckpoint: path '${template}' names {${name}}, which is not in the logs`,
        );
      if (!spec) return String(value);
      const fixed = /^\.(\d+)f$/.exec(spec);
      if (fixed) return value.toFixed(Number(fixed[1]));
      const padded = /^0?(\d+)d$/.exec(spec);
      if (padded)
        return String(Math.round(value)).padStart(Number(padded[1]), spec.startsWith('0') ? '0' : ' ');
      throw new CallbackError(
        `modelCheckpoint: unsupported format '${whole}' (use {name}, {name:0Nd} or {name:.Nf})`,
      );
    },
  );
}
