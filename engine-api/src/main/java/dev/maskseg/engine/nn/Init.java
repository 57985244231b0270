package dev.maskseg.engine.nn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Shapes;
import dev.maskseg.engine.Tensor;

/** Initialisers with PyTorch's formulas (torch.nn.init), drawing from a seeded generator. */
public final class Init {
    private Init() {}

    /** U(-bound, bound). */
    public static Tensor uniform(Generator g, double bound, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) ((2 * g.nextDouble() - 1) * bound);
        return Tensor.of(d, shape);
    }

    /** nn.Linear / nn.Conv2d default: kaiming_uniform with a = sqrt(5), i.e. bound = sqrt(1 / fan_in). */
    static Tensor kaimingUniform(Generator g, double invFanIn, int... shape) { return uniform(g, Math.sqrt(invFanIn), shape); }

    /** kaiming_normal_(mode='fan_out', nonlinearity='relu') as torchvision's ResNet: std = sqrt(2 / fan_out). */
    public static Tensor kaimingNormalFanOut(Generator g, int... shape) {
        int fanOut = shape[0];
        for (int i = 2; i < shape.length; i++) fanOut *= shape[i];
        return normal(g, 0, Math.sqrt(2.0 / fanOut), shape);
    }

    /** kaiming_uniform_(a=0, mode='fan_in', nonlinearity='relu'): bound = sqrt(6 / fan_in). */
    public static Tensor kaimingUniformRelu(Generator g, int... shape) {
        int fanIn = 1;
        for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
        return uniform(g, Math.sqrt(6.0 / fanIn), shape);
    }

    public static Tensor normal(Generator g, double mean, double std, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * g.nextGaussian());
        return Tensor.of(d, shape);
    }

    /** trunc_normal_(std, a=-2, b=2) as DINO/timm: redraw values outside [a, b]. */
    public static Tensor truncatedNormal(Generator g, double std, double a, double b, int... shape) {
        float[] d = new float[Shapes.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            double v;
            do v = std * g.nextGaussian(); while (v < a || v > b);
            d[i] = (float) v;
        }
        return Tensor.of(d, shape);
    }
}
