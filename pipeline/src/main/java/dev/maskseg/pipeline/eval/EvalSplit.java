package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.data.VocDataset;

import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled split as the official evaluations see it (docs/methods.md §1.5, §2.7.1, §3.6): each image at the working
 * size the network runs at ({@code size} x {@code size}, image bicubic and labels nearest; the official 512) and as
 * stored. Predictions are made at the working size; final scores are computed at the stored resolution, the
 * predictions nearest-resized back (cv2 INTER_NEAREST, the "offline" evaluation); {@link #workingConfusion} is the
 * "online" score at the working size that model selection uses. With size 0 both are the same images.
 */
public record EvalSplit(List<Sample> working, List<Sample> original, int workingSize) {
    public EvalSplit {
        if (working.size() != original.size()) throw new IllegalArgumentException("eval split: " + working.size() + " working images for " + original.size());
    }

    /** The split's images with ground truth (an empty split is an error), at {@code size} (0: as stored). */
    public static EvalSplit load(VocDataset voc, String split, int size) throws IOException {
        return of(voc.labelledSamples(split, 0), size);
    }

    /**
     * A split decoded again on every access (an {@link dev.maskseg.pipeline.data.ImageSet}), its working images resized on
     * access: memory holds one image at a time, for splits too large to keep (VOC val at 512).
     */
    public static EvalSplit streamed(List<Sample> stored, int size) {
        if (size <= 0) return new EvalSplit(stored, stored, 0);
        return new EvalSplit(new AbstractList<>() {
            @Override
            public Sample get(int i) { return Transforms.resizeBicubic(stored.get(i), size, size); }

            @Override
            public int size() { return stored.size(); }
        }, stored, size);
    }

    /** Stored images and their working copies at {@code size} x {@code size} (0: the same images), kept in memory. */
    public static EvalSplit of(List<Sample> original, int size) {
        if (size <= 0) return new EvalSplit(List.copyOf(original), List.copyOf(original), 0);
        List<Sample> working = new ArrayList<>();
        for (Sample s : original) working.add(Transforms.resizeBicubic(s, size, size));
        return new EvalSplit(List.copyOf(working), List.copyOf(original), size);
    }

    /** Images of the split. */
    public int count() { return original.size(); }

    /** Image i's label map predicted at the working size, nearest-resized to the stored size. */
    public int[] toOriginal(int i, int[] workingLabels) {
        Sample w = working.get(i), o = original.get(i);
        if (workingLabels.length != w.width() * w.height()) {
            throw new IllegalArgumentException("eval split: a prediction of " + workingLabels.length + " pixels for a " + w.width() + "x" + w.height() + " image");
        }
        return resizeNearest(workingLabels, w.width(), w.height(), o.width(), o.height());
    }

    /** The confusion of working-size predictions against the stored ground truth (the final, "offline" score). */
    public Confusion confusion(List<int[]> workingMaps, int classes) {
        List<int[]> maps = new ArrayList<>();
        for (int i = 0; i < workingMaps.size(); i++) maps.add(toOriginal(i, workingMaps.get(i)));
        return Confusion.of(maps, original, classes);
    }

    /** The confusion of maps already at the stored size (e.g. refined by the CRF there). */
    public Confusion originalConfusion(List<int[]> originalMaps, int classes) { return Confusion.of(originalMaps, original, classes); }

    /** The confusion at the working size (the "online" validation that selects checkpoints). */
    public Confusion workingConfusion(List<int[]> workingMaps, int classes) { return Confusion.of(workingMaps, working, classes); }

    /** Labels resized by nearest neighbour: source index floor(dst · in/out) (cv2 INTER_NEAREST, torch 'nearest'). */
    public static int[] resizeNearest(int[] labels, int w, int h, int ow, int oh) {
        if (w == ow && h == oh) return labels;
        int[] out = new int[ow * oh];
        double sx = (double) w / ow, sy = (double) h / oh;
        for (int y = 0; y < oh; y++) {
            int ny = Math.min(h - 1, (int) Math.floor(y * sy));
            for (int x = 0; x < ow; x++) out[y * ow + x] = labels[ny * w + Math.min(w - 1, (int) Math.floor(x * sx))];
        }
        return out;
    }
}
