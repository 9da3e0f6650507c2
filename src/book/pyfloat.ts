/**
 * Numbers as the book's Python prints them. Python's str(float) is repr(): the shortest digit string that
 * reads back as the same double (JavaScript finds the same digits), laid out by Python's own rule: plain
 * notation when the decimal exponent is in [-4, 16), else scientific with a signed, at least two-digit
 * exponent ('1e-05', '1.5e+16'); plain notation always shows a fractional part ('1.0').
 */

/** Python's str(x) for a float x. */
export function pyFloatStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() with no argument gives the shortest round-trip digits: "d.ddde±n".
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText); // x = d.ddd * 10^exp
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? '.' + digits.slice(1) : '';
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, '0')}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** An error as the book prints it: str(x)[0:5], cut (not rounded) to five characters. */
export function bookErr(x: number): string {
  return pyFloatStr(x).slice(0, 5);
}

/** An accuracy as the book prints it: str(correct / float(n)). */
export function bookAcc(correct: number, n: number): string {
  return pyFloatStr(correct / n);
}
