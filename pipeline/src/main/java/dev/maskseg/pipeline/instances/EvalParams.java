package dev.maskseg.pipeline.instances;

/**
 * pycocotools' default detection parameters: IoU thresholds .50:.05:.95 and recall thresholds 0:.01:1, both
 * built as {@code numpy.linspace} builds them ({@code start + i * step}, the last one set to the end), the area
 * ranges all/small/medium/large (32², 96²) and 1/10/100 detections per image.
 */
public final class EvalParams {
    public static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
    public static final double[] RECALL_THRESHOLDS = linspace(0.0, 1.0, 101);
    public static final double[][] AREA_RANGES = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};
    public static final String[] AREA_LABELS = {"all", "small", "medium", "large"};
    public static final int[] MAX_DETS = {1, 10, 100};

    private EvalParams() {}

    static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] y = new double[num];
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /** The index of a threshold compared for exact equality, as {@code np.where(iouThr == p.iouThrs)}; -1 when absent. */
    static int iouIndex(double threshold) {
        for (int t = 0; t < IOU_THRESHOLDS.length; t++) if (IOU_THRESHOLDS[t] == threshold) return t;
        return -1;
    }
}
