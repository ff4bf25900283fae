/**
 * A 16-bit PCM WAV file (RIFF header + little-endian samples), the one audio format TensorBoard's audio
 * plugin, W&B's `audio-file` and every browser play. Samples are interleaved, `channels` per frame, in
 * [-1, 1]; louder ones are clipped (the caller is told how many).
 */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number, channels: number): { wav: Uint8Array; clipped: number } {
  const dataBytes = samples.length * 2;
  const wav = new Uint8Array(44 + dataBytes);
  const view = new DataView(wav.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) wav[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true); // byte rate
  view.setUint16(32, channels * 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  let clipped = 0;
  for (let i = 0; i < samples.length; i++) {
    let v = samples[i]!;
    if (v > 1 || v < -1) {
      clipped++;
      v = v > 1 ? 1 : -1;
    }
    view.setInt16(44 + i * 2, v < 0 ? Math.round(v * 0x8000) : Math.round(v * 0x7fff), true);
  }
  return { wav, clipped };
}

/** The samples of a WAV `encodeWav` wrote, as numbers in [-1, 1] (16-bit PCM after a 44-byte header). */
export function decodeWav(wav: Uint8Array): Float32Array {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const count = Math.floor((wav.length - 44) / 2);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = view.getInt16(44 + i * 2, true);
    out[i] = v < 0 ? v / 0x8000 : v / 0x7fff;
  }
  return out;
}
