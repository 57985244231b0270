package dev.maskseg.pipeline.maskdistill;

/**
 * The {@code clustering:} section of a MaskDistill run (docs/methods.md §3.3).
 *
 * @param vit         the ViT whose CLS token describes a mask's box: {@code vit_small_patch8} (official) or
 *                    {@code vit_small_patch16}
 * @param weights     DINO weights for it (.pth or .safetensors); empty: random initialisation, announced as such
 * @param seed        the k-means seed (official random_state 1234)
 * @param overcluster k-means finds C x overcluster clusters ({@code cluster.py --overcluster}, default 1)
 * @param naming      {@code none}: pseudo maps carry raw cluster ids (label-free; match at evaluation); {@code boxes}:
 *                    clusters are named with ground-truth classes by the boxes of {@code Annotations/} or
 *                    {@code SegmentationObject/} (count-based Hungarian, or majority when over-clustering), as
 *                    {@code cluster.py} does, and the maps carry class ids 1..C
 */
public record ClusteringConfig(String vit, String weights, long seed, int overcluster, String naming) {
    public ClusteringConfig {
        if (!vit.equals("vit_small_patch8") && !vit.equals("vit_small_patch16")) {
            throw new IllegalArgumentException("clustering.vit must be vit_small_patch8 or vit_small_patch16, got '" + vit + "'");
        }
        if (weights == null) weights = "";
        if (overcluster < 1) throw new IllegalArgumentException("clustering.overcluster must be >= 1, got " + overcluster);
        if (naming == null) naming = "none";
        if (!naming.equals("none") && !naming.equals("boxes")) throw new IllegalArgumentException("clustering.naming must be none or boxes, got '" + naming + "'");
    }

    public static ClusteringConfig official() { return new ClusteringConfig("vit_small_patch8", "", 1234, 1, "none"); }

    public boolean byBoxes() { return naming.equals("boxes"); }

    /** The k-means k for C classes. */
    public int k(int classes) { return classes * overcluster; }

    /** The labels the pseudo maps (and the network) hold for C classes: background plus the classes, or the raw clusters. */
    public int labels(int classes) { return 1 + (byBoxes() ? classes : k(classes)); }
}
