/** The filter with dilation-1 zeros between taps: a dilated conv as a plain conv, for the cpu reference. */
export function dilateFilter(w: Float32Array, k: number, cin: number, cout: number, d: number) {
  const kd = (k - 1) * d + 1;
  const out = new Float32Array(kd * kd * cin * cout);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let c = 0; c < cin * cout; c++)
        out[(i * d * kd + j * d) * cin * cout + c] = w[(i * k + j) * cin * cout + c]!;
  return { data: out, size: kd };
}
