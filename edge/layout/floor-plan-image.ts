// A floor-plan upload is checked for what it claims to be (PNG or JPEG by its magic bytes and
// its name) and its pixel size read from the header, so the editor can scale it; nothing else
// of the file is interpreted on the edge.

export interface ImageSize { widthPx: number; heightPx: number }

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(b: Buffer): ImageSize | null {
  if (b.length < 24 || PNG_MAGIC.some((v, i) => b[i] !== v) || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { widthPx: b.readUInt32BE(16), heightPx: b.readUInt32BE(20) };
}

function jpegSize(b: Buffer): ImageSize | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    const length = b.readUInt16BE(i + 2);
    // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { heightPx: b.readUInt16BE(i + 5), widthPx: b.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return null;
}

/** The image's size, or an error message saying what is wrong with the upload. */
export function floorPlanSize(name: string, bytes: Buffer): ImageSize | string {
  const png = /\.png$/i.test(name);
  const size = png ? pngSize(bytes) : jpegSize(bytes);
  if (!size) return `${name} is not a ${png ? 'PNG' : 'JPEG'} image: export the floor plan as PNG or JPEG`;
  if (size.widthPx < 1 || size.heightPx < 1 || size.widthPx > 16384 || size.heightPx > 16384) return `${size.widthPx}×${size.heightPx} px is outside 1…16384 px a side: scale the drawing down`;
  return size;
}

export const imageContentType = (name: string) => (/\.png$/i.test(name) ? 'image/png' : 'image/jpeg');
