package dev.maskseg.pipeline.instances;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** COCO20k-style image lists selecting images of an instances file. */
class ImageListSplitTest {
    private static CocoDataset coco() {
        List<CocoDataset.Image> images = List.of(new CocoDataset.Image(ImageId.of(9), 10, 10, "COCO_train2014_000000000009.jpg"),
                new CocoDataset.Image(ImageId.of(25), 10, 10, "COCO_train2014_000000000025.jpg"),
                new CocoDataset.Image(ImageId.of(30), 10, 10, "COCO_train2014_000000000030.jpg"));
        List<CocoDataset.Annotation> anns = List.of(ann(1, 25), ann(2, 9), ann(3, 25), ann(4, 30));
        return new CocoDataset(images, anns, List.of(new CocoDataset.Category(1, "a", ""), new CocoDataset.Category(2, "b", "")));
    }

    private static CocoDataset.Annotation ann(long id, long image) {
        return new CocoDataset.Annotation(id, ImageId.of(image), 1, null, new double[]{0, 0, 1, 1}, 1, 0);
    }

    @Test
    void selectsByTheNumberAfterTheLastUnderscoreInListOrder(@TempDir Path tmp) throws Exception {
        Path list = Files.writeString(tmp.resolve("coco_20k_filenames.txt"), "train2014/COCO_train2014_000000000025.jpg\n\nCOCO_train2014_000000000009.jpg\n");
        CocoDataset s = ImageListSplit.select(coco(), ImageListSplit.read(list));
        assertEquals(List.of(ImageId.of(25), ImageId.of(9)), s.images().stream().map(CocoDataset.Image::id).toList());
        assertEquals(List.of(1L, 3L, 2L), s.annotations().stream().map(CocoDataset.Annotation::id).toList(), "per image, file order");
        assertEquals(2, s.categories().size());
        assertEquals(List.of(ImageId.of(30)), ImageListSplit.select(coco(), List.of("30")).images().stream().map(CocoDataset.Image::id).toList());
    }

    @Test
    void stringIdsMatchByStemAndUnknownLinesAreAnError() {
        CocoDataset voc = new CocoDataset(List.of(new CocoDataset.Image(ImageId.of("2007_000032"), 5, 5, "2007_000032.jpg")), List.of(), List.of());
        assertEquals(1, ImageListSplit.select(voc, List.of("JPEGImages/2007_000032.jpg")).images().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageListSplit.select(coco(), List.of("COCO_train2014_000000000077.jpg", "x_12.jpg")));
        assertTrue(e.getMessage().startsWith("image list: 2 line(s) name no image"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageListSplit.select(coco(), List.of("9", "COCO_train2014_000000000009.jpg")), "named twice");
    }
}
