package dev.maskseg.pipeline.maskdistill;

/**
 * The {@code clustering:} section of a MaskDistill run (docs/methods.md §3.3).
 *
 * @param vit     the ViT whose CLS token describes a mask's box: {@code vit_small_patch8} (official) or
 *                {@code vit_small_patch16}
 * @param weights DINO weights for it (.pth or .safetensors); empty: random initialisation, announced as such
 * @param seed    the k-means seed (official random_state 1234)
 */
public record ClusteringConfig(String vit, String weights, long seed) {
    public ClusteringConfig {
        if (!vit.equals("vit_small_patch8") && !vit.equals("vit_small_patch16")) {
            throw new IllegalArgumentException("clustering.vit must be vit_small_patch8 or vit_small_patch16, got '" + vit + "'");
        }
        if (weights == null) weights = "";
    }

    public static ClusteringConfig official() { return new ClusteringConfig("vit_small_patch8", "", 1234); }
}
