package dev.maskseg.zoo.vit;

import java.util.List;

/** DINO ViT hyper-parameters (docs/methods.md §1.4); {@code grid} is the trained position grid side (224 / patch). */
public record ViTConfig(String name, int patch, int dim, int depth, int heads, int mlpHidden, int grid) {
    public static final ViTConfig SMALL_16 = new ViTConfig("vit_small_patch16", 16, 384, 12, 6, 1536, 14);
    public static final ViTConfig SMALL_8 = new ViTConfig("vit_small_patch8", 8, 384, 12, 6, 1536, 28);
    public static final ViTConfig BASE_16 = new ViTConfig("vit_base_patch16", 16, 768, 12, 12, 3072, 14);

    public static List<ViTConfig> all() { return List.of(SMALL_16, SMALL_8, BASE_16); }

    public int headDim() { return dim / heads; }

    public double scale() { return Math.pow(headDim(), -0.5); }
}
