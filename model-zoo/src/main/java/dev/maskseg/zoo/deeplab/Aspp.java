package dev.maskseg.zoo.deeplab;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.Dropout;
import dev.maskseg.engine.nn.Layers.ModuleList;
import dev.maskseg.engine.nn.Layers.ReLU;
import dev.maskseg.engine.nn.Layers.Sequential;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.Resize;

import java.util.ArrayList;
import java.util.List;

/**
 * torchvision ASPP (docs/methods.md §1.2): {@code convs.0} 1x1, {@code convs.1..3} 3x3 at the given rates,
 * {@code convs.4} image pooling, concatenated and projected to 256 with dropout 0.5.
 */
public final class Aspp extends Module {
    public final ModuleList convs;
    public final Sequential project;

    public Aspp(int in, int[] rates, int out, Generator g) {
        convs = registerModule("convs", new ModuleList());
        convs.add(new Sequential(new Conv2d(in, out, 1, 1, 0, 1, 1, false, g), new BatchNorm2d(out), new ReLU()));
        for (int r : rates) convs.add(new Sequential(new Conv2d(in, out, 3, 1, r, r, 1, false, g), new BatchNorm2d(out), new ReLU()));
        convs.add(new Pooling(in, out, g));
        int branches = rates.length + 2;
        project = registerModule("project", new Sequential(
                new Conv2d(branches * out, out, 1, 1, 0, 1, 1, false, g), new BatchNorm2d(out), new ReLU(), new Dropout(0.5, g)));
    }

    @Override
    public Tensor forward(Tensor x) {
        List<Tensor> branches = new ArrayList<>();
        for (int i = 0; i < convs.size(); i++) branches.add(convs.get(i).forward(x));
        return project.forward(Index.cat(branches, 1));
    }

    /** AdaptiveAvgPool2d(1) → conv 1x1 → BN → ReLU, bilinearly upsampled back (indices 1, 2 hold the weights). */
    public static final class Pooling extends Sequential {
        Pooling(int in, int out, Generator g) {
            super(new Identity(), new Conv2d(in, out, 1, 1, 0, 1, 1, false, g), new BatchNorm2d(out), new ReLU());
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor pooled = Pool.adaptiveAvgPool2d(x, 1, 1);
            for (int i = 1; i < size(); i++) pooled = get(i).forward(pooled);
            return Resize.interpolate(pooled, x.size(2), x.size(3), Mode.BILINEAR, false);
        }
    }

    /** Stands for the parameterless AdaptiveAvgPool2d at index 0, so indices match torchvision's. */
    private static final class Identity extends Module {
        @Override
        public Tensor forward(Tensor x) { return x; }
    }
}
