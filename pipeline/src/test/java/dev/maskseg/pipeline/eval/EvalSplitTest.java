package dev.maskseg.pipeline.eval;

import dev.maskseg.pipeline.data.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Scores are computed at the stored resolution: predictions at the working size are nearest-resized back. */
class EvalSplitTest {
    /**
     * A 3x1 image labelled [0, 1, 1], worked at 2x2: its working labels are [0, 1] per row, which a prediction of [0, 1]
     * matches perfectly (the "online" score, 1.0). Back at 3 pixels the prediction is [0, 0, 1] (floor(x · 2/3)), so the
     * stored labels score IoU 1/2 for both classes.
     */
    @Test
    void predictionsAreScoredAgainstTheStoredLabels() {
        Sample stored = new Sample(new float[9], new byte[]{0, 1, 1}, 3, 1);
        EvalSplit split = EvalSplit.of(List.of(stored), 2);
        assertEquals(2, split.workingSize());
        assertArrayEquals(new byte[]{0, 1, 0, 1}, split.working().get(0).mask(), "labels resized by nearest");
        List<int[]> prediction = List.of(new int[]{0, 1, 0, 1});
        assertEquals(1.0, Miou.evaluate(split.workingConfusion(prediction, 2), Miou.Matching.NONE).miou(), 1e-12, "online, at the working size");
        assertArrayEquals(new int[]{0, 0, 1}, split.toOriginal(0, prediction.get(0)));
        Confusion atStored = split.confusion(prediction, 2);
        assertEquals(3, atStored.total(), "the stored pixels are scored");
        assertEquals(0.5, Miou.evaluate(atStored, Miou.Matching.NONE).miou(), 1e-12);
    }

    @Test
    void sizeZeroKeepsTheImages() {
        Sample s = new Sample(new float[12], new byte[]{0, 1, 2, (byte) 255}, 2, 2);
        EvalSplit split = EvalSplit.of(List.of(s), 0);
        assertEquals(s, split.working().get(0));
        assertEquals(3, split.confusion(List.of(new int[]{0, 1, 2, 2}), 3).total(), "255 ignored");
    }
}
