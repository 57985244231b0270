package dev.maskseg.pipeline.maskcontrast;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.Prototypes;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * MaskContrast's semantic segment retrieval (docs/methods.md §2.7.3): the train images' prototypes form a memory bank,
 * each labelled with the majority ground-truth class inside its salient mask (0 and 255 not counted, equal counts to the
 * higher class as the official {@code max((count, class))}; an image with nothing else is left out). Each query image
 * takes the label of its top-1 neighbour by cosine similarity, painted
 * on its own salient pixels; everything else is 0. Classes outside {@code kept} become 255 (ignored) in every
 * ground truth, which is how the "7 classes" setting is built. An empty bank (no salient pixel on a kept class, e.g.
 * an untrained saliency head) predicts 0 everywhere; {@link Result#bankSize} says so.
 */
public final class Retrieval {
    /** The official "7 classes" setting: aeroplane, bottle, bus, car, cat, cow, person (VOC ids). */
    public static final Set<Integer> VOC7 = Set.of(1, 5, 6, 7, 8, 10, 15);

    public record Result(double miou, double[] perClassIou, int bankSize, int skipped) {}

    private Retrieval() {}

    /** The majority kept class in each image's salient pixels (ties: the higher class), or -1 when it has none. */
    public static int[] bankLabels(Prototypes bank, List<Sample> gt, int classes, Set<Integer> kept) {
        int[] out = new int[gt.size()];
        for (int i = 0; i < gt.size(); i++) {
            long[] votes = new long[classes];
            byte[] g = gt.get(i).mask();
            for (int q = 0; q < g.length; q++) {
                int c = g[q] & 255;
                if (bank.salient()[i][q] && c != 0 && c < classes && kept.contains(c)) votes[c]++;
            }
            out[i] = -1;
            // the official max((count, class)) over the classes present: equal counts go to the higher class
            for (int c = 1; c < classes; c++) if (votes[c] > 0 && (out[i] < 0 || votes[c] >= votes[out[i]])) out[i] = c;
        }
        return out;
    }

    /** Per query: its nearest labelled bank prototype's class on its salient pixels, 0 elsewhere. */
    public static List<int[]> predictions(Prototypes bank, int[] bankLabels, Prototypes queries) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < queries.vectors().length; i++) {
            double best = Double.NEGATIVE_INFINITY;
            int label = 0;
            for (int b = 0; b < bankLabels.length; b++) {
                if (bankLabels[b] < 0) continue;
                double dot = 0;
                for (int c = 0; c < queries.vectors()[i].length; c++) dot += queries.vectors()[i][c] * bank.vectors()[b][c];
                if (dot > best) {
                    best = dot;
                    label = bankLabels[b];
                }
            }
            boolean[] sal = queries.salient()[i];
            int[] m = new int[sal.length];
            for (int q = 0; q < m.length; q++) m[q] = sal[q] ? label : 0;
            out.add(m);
        }
        return out;
    }

    /**
     * The whole protocol. With every class kept: mIoU over all classes, background included; otherwise over the kept
     * classes only, background excluded (the official "7 classes" number).
     */
    public static Result evaluate(MaskContrastModel model, List<Sample> train, List<Sample> val, int classes, Set<Integer> kept) {
        return evaluate(model, train, val, classes, kept, StageListener.NONE);
    }

    /** As {@link #evaluate(MaskContrastModel, List, List, int, Set)}, the prototypes of each split as a task of the listener. */
    public static Result evaluate(MaskContrastModel model, List<Sample> train, List<Sample> val, int classes, Set<Integer> kept, StageListener listener) {
        List<Sample> bankGt = ignoreOthers(train, kept, classes), valGt = ignoreOthers(val, kept, classes);
        Prototypes bank = Prototypes.of(model, train, listener), queries = Prototypes.of(model, val, listener);
        int[] labels = bankLabels(bank, bankGt, classes, kept);
        int skipped = 0;
        for (int l : labels) if (l < 0) skipped++;
        Confusion c = Confusion.of(predictions(bank, labels, queries), valGt, classes);
        double[] iou = Miou.evaluate(c, Miou.Matching.NONE).perClassIou();
        boolean all = kept.size() == classes - 1;
        double sum = 0;
        int n = 0;
        for (int k = all ? 0 : 1; k < classes; k++) {
            if (k > 0 && !kept.contains(k)) continue;
            sum += iou[k];
            n++;
        }
        return new Result(sum / n, iou, labels.length - skipped, skipped);
    }

    /** All object classes 1..classes-1. */
    public static Set<Integer> allClasses(int classes) {
        Set<Integer> s = new java.util.TreeSet<>();
        for (int c = 1; c < classes; c++) s.add(c);
        return s;
    }

    private static List<Sample> ignoreOthers(List<Sample> images, Set<Integer> kept, int classes) {
        if (kept.size() == classes - 1) return images;
        List<Sample> out = new ArrayList<>();
        for (Sample s : images) {
            byte[] m = s.mask().clone();
            for (int q = 0; q < m.length; q++) {
                int c = m[q] & 255;
                if (c != 0 && c != 255 && !kept.contains(c)) m[q] = (byte) 255;
            }
            out.add(new Sample(s.rgb(), m, s.width(), s.height()));
        }
        return out;
    }
}
