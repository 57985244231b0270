package dev.maskseg.spark;

import dev.maskseg.zoo.image.ImageDecoder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;

/** The image inputs every per-image job shares: the list (folder and optional split file) and the decoding. */
final class Inputs {
    private Inputs() {}

    /** The images of --images, only those of --split when given. */
    static List<InputImages.Image> images(SparkJob job, String images, String ids) throws IOException {
        SparkFolder.File idsFile = ids == null ? null : job.file(ids);
        return InputImages.list(job.folder(images), idsFile == null ? null : idsFile.folder(), idsFile == null ? null : idsFile.name());
    }

    /** The image; one that cannot be decoded (truncated, too large, not an image) is an error naming its file. */
    static BufferedImage decode(ImageJobs.ImageBytes image) throws IOException { return ImageDecoder.read(image.source(), image.bytes(), "image"); }
}
