package dev.maskseg.pipeline.config;

/**
 * The {@code data:} section of a training configuration.
 *
 * @param root     PASCAL VOC 2012 folder (JPEGImages/, SegmentationClass[Aug]/, ImageSets/Segmentation/)
 * @param split    the id list to train on (ImageSets/Segmentation/&lt;split&gt;.txt)
 * @param masks    folder of masks from a prior or saliency model ({@code <id>.png}, 0/255)
 * @param workers  loader threads that decode and augment
 * @param prefetch batches the loader may prepare ahead
 * @param labels   folder of label maps ({@code <id>.png}, 8-bit gray or palette, 255 = ignore) that MaskDistill's segmenter
 *                 trains on instead of the pseudo maps it makes from {@code masks}; empty: none
 */
public record DataConfig(String root, String split, String masks, int workers, int prefetch, String labels) {
    public DataConfig {
        if (workers < 1) throw new IllegalArgumentException("data.workers must be >= 1, got " + workers);
        if (prefetch < 1) throw new IllegalArgumentException("data.prefetch must be >= 1, got " + prefetch);
        if (labels == null) labels = "";
    }

    public static DataConfig defaults() {
        return new DataConfig("", "train", "", Math.max(1, Runtime.getRuntime().availableProcessors()), 2, "");
    }
}
