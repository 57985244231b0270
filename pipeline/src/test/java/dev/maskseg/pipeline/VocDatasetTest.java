package dev.maskseg.pipeline;

import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.data.VocDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad VOC input: a missing label, a corrupt JPEG and a label of the wrong size give one message each. */
class VocDatasetTest {
    @TempDir
    Path tmp;

    @Test
    void badFilesAreReportedOnceEachAndSkippedOrStopTheLoadWhenStrict() throws Exception {
        SyntheticScenes.write(tmp, 10, 32, 1);
        List<String> ids = Files.readAllLines(tmp.resolve("ImageSets/Segmentation/train.txt"));
        Files.delete(tmp.resolve("SegmentationClass/" + ids.get(0) + ".png"));
        byte[] jpeg = Files.readAllBytes(tmp.resolve("JPEGImages/" + ids.get(1) + ".jpg"));
        Files.write(tmp.resolve("JPEGImages/" + ids.get(1) + ".jpg"), java.util.Arrays.copyOf(jpeg, 40)); // truncated
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "png", tmp.resolve("SegmentationClass/" + ids.get(2) + ".png").toFile());

        List<String> problems = new ArrayList<>();
        ImageSet set = new VocDataset(tmp, false, problems::add).withLabels("train");
        assertEquals(ids.size() - 3, set.size());
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(ids.get(0) + ".png") && problems.get(0).contains("missing label"), problems.get(0));
        assertTrue(problems.get(1).contains(ids.get(1) + ".jpg") && problems.get(1).contains("image"), problems.get(1));
        assertTrue(problems.get(2).contains("16x16") && problems.get(2).contains("32x32"), problems.get(2));
        for (int i = 0; i < set.size(); i++) assertEquals(32, set.get(i).width());

        IOException strict = assertThrows(IOException.class, () -> new VocDataset(tmp, true, m -> {}).withLabels("train"));
        assertTrue(strict.getMessage().contains(ids.get(0)) && strict.getMessage().contains("--strict"), strict.getMessage());
    }
}
