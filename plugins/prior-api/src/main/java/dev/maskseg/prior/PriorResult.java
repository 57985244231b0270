package dev.maskseg.prior;

import java.util.List;

/** The masks of one image, best first, each at image resolution. */
public record PriorResult(List<Mask> masks) {
    /** Row-major 0/1 pixels of a {@code width x height} image, with an optional score (1 when the prior has none). */
    public record Mask(int width, int height, byte[] pixels, double score) {
        public Mask {
            if (pixels.length != width * height) throw new IllegalArgumentException("mask of " + pixels.length + " pixels for " + width + "x" + height);
        }

        public long area() {
            long a = 0;
            for (byte b : pixels) a += b;
            return a;
        }

        public boolean get(int x, int y) { return pixels[y * width + x] != 0; }
    }

    public static PriorResult of(Mask m) { return new PriorResult(List.of(m)); }
}
