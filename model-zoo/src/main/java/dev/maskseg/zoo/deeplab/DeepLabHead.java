package dev.maskseg.zoo.deeplab;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.nn.Layers.BatchNorm2d;
import dev.maskseg.engine.nn.Layers.Conv2d;
import dev.maskseg.engine.nn.Layers.ReLU;
import dev.maskseg.engine.nn.Layers.Sequential;

/**
 * torchvision DeepLabHead: 0 ASPP(2048, [12, 24, 36]) → 1 conv 3x3 → 2 BN → 3 ReLU → 4 conv 1x1 with bias.
 * {@link #decoder} builds indices 0..3 only (MaskContrast's decoder, 256-d output).
 */
public final class DeepLabHead {
    public static final int[] RATES = {12, 24, 36};
    public static final int CHANNELS = 256;

    private DeepLabHead() {}

    public static Sequential create(int in, int numClasses, Generator g) {
        return decoder(in, g).add(new Conv2d(CHANNELS, numClasses, 1, 1, 0, 1, 1, true, g));
    }

    public static Sequential decoder(int in, Generator g) {
        return new Sequential(new Aspp(in, RATES, CHANNELS, g),
                new Conv2d(CHANNELS, CHANNELS, 3, 1, 1, 1, 1, false, g), new BatchNorm2d(CHANNELS), new ReLU());
    }
}
