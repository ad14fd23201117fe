/**
 * A number that Python would hold as a `float` although its value is a whole number.
 *
 * JavaScript has one number type, so `2.0` and `2` are the same value; Python's YAML and JSON
 * writers print a float `2.0` and an int `2`. The formatters of this package print an
 * integral JavaScript number as an int and everything else as a float; wrap a whole number in
 * a `PythonFloat` (see {@link pyFloat}) to have it printed as a float, byte for byte as
 * daf_butler would. Readers return plain numbers.
 *
 * @example
 * ```ts
 * pythonJsonDumps({ exposure_time: pyFloat(30) }); // '{"exposure_time": 30.0}'
 * ```
 */
export class PythonFloat {
  /** The value. */
  readonly value: number;

  /** @param value the number; any number, whole or not. */
  constructor(value: number) {
    this.value = value;
    Object.freeze(this);
  }

  /** The number itself, so arithmetic and comparisons work. */
  valueOf(): number {
    return this.value;
  }

  /** Python's `repr()` of the float, e.g. `2.0`. */
  toString(): string {
    return pythonFloatRepr(this.value);
  }

  /** The plain number, for `JSON.stringify`. */
  toJSON(): number {
    return this.value;
  }
}

/** Marks `value` as a Python float (see {@link PythonFloat}). */
export function pyFloat(value: number): PythonFloat {
  return new PythonFloat(value);
}

/**
 * Python's `repr()` of a float: the shortest digits that read back as the same number, in
 * fixed notation when the decimal exponent is in [-4, 16) (always with a fractional part, as
 * in `2.0`) and in scientific notation otherwise (`1e-10`, `6.02214076e+23`, `1e+16`).
 * `nan`, `inf` and `-inf` for the special values.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  // toExponential() without digits gives the shortest round-tripping digits.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const intDigits = exponent + 1;
    if (digits.length <= intDigits) return `${sign}${digits.padEnd(intDigits, '0')}.0`;
    return `${sign}${digits.slice(0, intDigits)}.${digits.slice(intDigits)}`;
  }
  const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const expSign = exponent < 0 ? '-' : '+';
  return `${sign}${digits[0]!}${rest}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
