package dev.maskseg.cli;

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

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--images", defaultValue = "320", description = "Number of images, 80%% train (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--size", defaultValue = "96", description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}); the same seed gives the same files.")
    long seed;

    @Override
    public Integer call() throws Exception {
        SyntheticScenes.write(out, images, size, seed, console.listener("make-dataset"));
        System.out.printf("make-dataset: %d scenes of %dx%d, classes %s, in %s%n", images, size, size, SyntheticScenes.CLASSES, out);
        return 0;
    }
}
