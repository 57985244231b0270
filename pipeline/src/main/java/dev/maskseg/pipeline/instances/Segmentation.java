package dev.maskseg.pipeline.instances;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A COCO {@code segmentation} value as stored in JSON: polygons, a compressed RLE or an uncompressed RLE. */
public sealed interface Segmentation {
    /**
     * The mask as pycocotools' {@code COCO.annToRLE}: polygons are rasterised in the image's size and merged; an
     * RLE keeps its own {@code size}.
     */
    Rle toRle(int imageHeight, int imageWidth);

    /** Polygons {@code [[x0, y0, x1, y1, ...], ...]}, one object possibly in several parts. */
    record PolygonList(List<double[]> parts) implements Segmentation {
        public PolygonList {
            parts = List.copyOf(parts);
        }

        @Override
        public Rle toRle(int imageHeight, int imageWidth) {
            // pycocotools decides by the first part: more than 4 values is a polygon list (later parts may be anything,
            // shorter ones rasterise to nothing); exactly 4 fails inside frPyObjects (frBbox gets a list); fewer is rejected.
            if (parts.isEmpty()) throw new IllegalArgumentException("segmentation is an empty polygon list");
            if (parts.get(0).length <= 4) {
                throw new IllegalArgumentException("segmentation polygon has " + parts.get(0).length + " values; a polygon needs at least 3 points (6 values)");
            }
            List<Rle> rles = new ArrayList<>(parts.size());
            for (double[] p : parts) rles.add(Polygons.fromPolygon(p, imageHeight, imageWidth));
            return RleOps.merge(rles, false);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof PolygonList p) || p.parts.size() != parts.size()) return false;
            for (int i = 0; i < parts.size(); i++) if (!Arrays.equals(parts.get(i), p.parts.get(i))) return false;
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (double[] part : parts) h = 31 * h + Arrays.hashCode(part);
            return h;
        }
    }

    /** {@code {"size": [h, w], "counts": "..."}}. */
    record CompressedRle(int height, int width, String counts) implements Segmentation {
        @Override
        public Rle toRle(int imageHeight, int imageWidth) { return Rle.fromString(counts, height, width); }
    }

    /** {@code {"size": [h, w], "counts": [n0, n1, ...]}}. */
    record UncompressedRle(int height, int width, long[] counts) implements Segmentation {
        public UncompressedRle {
            counts = counts.clone();
        }

        @Override
        public Rle toRle(int imageHeight, int imageWidth) { return Rle.fromCounts(counts, height, width); }

        @Override
        public long[] counts() { return counts.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof UncompressedRle u && u.height == height && u.width == width && Arrays.equals(u.counts, counts);
        }

        @Override
        public int hashCode() { return 31 * (31 * height + width) + Arrays.hashCode(counts); }
    }

    /** The compressed form of a mask, as pycocotools writes it. */
    public static Segmentation of(Rle rle) { return new CompressedRle(rle.height(), rle.width(), rle.toCompressedString()); }
}
