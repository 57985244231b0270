package dev.maskseg.cli;

import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.data.SyntheticScenes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "make-dataset", description = {"Generate the procedural dataset (docs/design.md §6) in PASCAL VOC layout: JPEGImages/, "
        + "SegmentationClass/ (0 background, 1 disc, 2 box, 3 triangle, 4 cross), SegmentationObject/ (0 background, 1..n the objects "
        + "where visible; 'maskseg make-instances --voc OUT' turns it into COCO instances) and ImageSets/Segmentation/{train,val,trainval}.txt."})
final class MakeDatasetCommand implements Callable<Integer> {
    @Mixin
    ConsoleOutput console = new ConsoleOutput();

    @Option(names = "--out", required = true, description = "Output folder: new or empty; one that holds a dataset or other files needs --overwrite.")
    Path out;

    @Option(names = "--overwrite", description = "Write into an --out that holds another dataset or other files.")
    boolean overwrite;

    @Option(names = "--images", defaultValue = "320", converter = Ranges.AtLeastTwo.class, description = "Number of images, 80%% train (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--size", defaultValue = "96", converter = Ranges.ImageSide.class, description = "Image side in pixels, 16 to 16384 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}); the same seed gives the same files.")
    long seed;

    @Override
    public Integer call() throws Exception {
        SyntheticScenes.make(out, images, size, seed, overwrite ? RunFolder.Mode.OVERWRITE : RunFolder.Mode.NEW, console.listener("make-dataset"));
        System.out.printf("make-dataset: %d scenes of %dx%d, classes %s, in %s%n", images, size, size, SyntheticScenes.CLASSES, out);
        return 0;
    }
}
