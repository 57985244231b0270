package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.nn.Init;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Module;

/**
 * detectron2's StandardRPNHead on res4 (docs/methods.md §3.4): 3x3 conv 1024→1024 with bias + ReLU, then 1x1 convs to A
 * objectness logits and 4A anchor deltas (A = 15). Its outputs are flattened in detectron2's order: row (y·w + x)·A + a,
 * deltas channel a·4 + k → column k. Weights start as normal(0, 0.01), biases 0.
 */
public final class RpnHead extends Module {
    /** objectness [N, h·w·A], deltas [N, h·w·A, 4] of a res4 map of h x w cells. */
    public record Outputs(Tensor objectness, Tensor deltas, int height, int width) {}

    public final Conv2d conv, objectnessLogits, anchorDeltas;

    public RpnHead(int channels, int anchors, Generator g) {
        conv = registerModule("conv", new Conv2d(channels, channels, 3, 1, 1, 1, 1, true, g));
        objectnessLogits = registerModule("objectness_logits", new Conv2d(channels, anchors, 1, 1, 0, 1, 1, true, g));
        anchorDeltas = registerModule("anchor_deltas", new Conv2d(channels, 4 * anchors, 1, 1, 0, 1, 1, true, g));
        try (var ng = GradMode.noGrad()) {
            for (Conv2d c : new Conv2d[]{conv, objectnessLogits, anchorDeltas}) {
                c.weight.copy_(Init.normal(g, 0, 0.01, c.weight.shape()));
                c.bias.fill_(0);
            }
        }
    }

    public Outputs run(Tensor res4) {
        Tensor t = conv.forward(res4).relu();
        Tensor obj = objectnessLogits.forward(t), del = anchorDeltas.forward(t);
        int n = obj.size(0), a = obj.size(1), h = obj.size(2), w = obj.size(3);
        Tensor objectness = obj.permute(0, 2, 3, 1).reshape(n, h * w * a);
        Tensor deltas = del.reshape(n, a, 4, h, w).permute(0, 3, 4, 1, 2).reshape(n, h * w * a, 4);
        return new Outputs(objectness, deltas, h, w);
    }

    /** The objectness logits of {@link #run} (a Module needs a single-tensor forward). */
    @Override
    public Tensor forward(Tensor res4) { return run(res4).objectness(); }
}
