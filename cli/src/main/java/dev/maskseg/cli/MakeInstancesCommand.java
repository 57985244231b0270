package dev.maskseg.cli;

import dev.maskseg.pipeline.instances.CocoDataset;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.ImageListSplit;
import dev.maskseg.pipeline.instances.VocInstances;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code maskseg make-instances}: COCO instances ground truth from VOC object/class maps, or a listed subset of a COCO file (COCO20k). */
@Command(name = "make-instances", description = {"Write COCO instances ground truth for 'maskseg eval instances'.",
        "--voc DIR: one annotation per object of SegmentationObject/<stem>.png (0 and 255 are not objects), its class the majority label of "
                + "SegmentationClass/<stem>.png over its pixels (ties to the lower class), RLE masks, categories 1..K; image ids are the stems.",
        "--coco FILE --image-list LIST: the images named in LIST (e.g. LOST/MaskDistill's coco_20k_filenames.txt; the id is the number after "
                + "the last underscore) with their annotations and all categories.",
        "An image that cannot be read is reported and skipped (--strict stops at the first)."})
final class MakeInstancesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--voc", description = "VOC folder with SegmentationObject/ and SegmentationClass/.")
    Path voc;

    @Option(names = "--split", description = "With --voc: a list file of stems, or a name under ImageSets/Segmentation/ (e.g. trainval); default: every SegmentationObject PNG.")
    String split;

    @Option(names = "--classes", split = ",", description = "With --voc: class names for labels 1..K (default: VOC's 20).")
    List<String> classes;

    @Option(names = "--coco", description = "COCO instances JSON to select images from.")
    Path coco;

    @Option(names = "--image-list", description = "With --coco: text file naming one image per line.")
    Path imageList;

    @Option(names = "--out", required = true, description = "Output COCO instances JSON.")
    Path out;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Option(names = "--strict", description = "Stop at the first image that cannot be converted.")
    boolean strict;

    @Override
    public Integer call() throws Exception {
        if ((voc == null) == (coco == null)) throw usage("give exactly one of --voc DIR or --coco FILE");
        if (coco != null && imageList == null) throw usage("--coco needs --image-list");
        if (voc != null && imageList != null) throw usage("--image-list goes with --coco; with --voc use --split");
        if (Files.exists(out) && !overwrite) throw usage(out + " exists; pass --overwrite to replace it");
        CocoDataset data;
        int problems = 0;
        if (voc != null) {
            List<String> names = classes == null ? VocInstances.VOC_CLASSES : classes.stream().map(String::strip).toList();
            VocInstances.Report r = VocInstances.build(voc, split == null ? null : ImageListSplit.read(splitFile()).stream().map(this::stem).toList(), names, strict);
            for (String p : r.problems()) System.err.println("make-instances: " + p);
            problems = r.problems().size();
            data = r.dataset();
        } else {
            data = ImageListSplit.select(CocoJson.readDataset(coco), ImageListSplit.read(imageList));
        }
        CocoJson.writeDataset(out, data);
        System.out.printf("make-instances: %d images, %d annotations, %d categories%s; %s%n", data.images().size(), data.annotations().size(),
                data.categories().size(), problems > 0 ? ", " + problems + " problem(s) reported above" : "", out);
        return 0;
    }

    private Path splitFile() {
        Path asFile = Path.of(split);
        if (Files.isRegularFile(asFile)) return asFile;
        Path named = voc.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt");
        if (Files.isRegularFile(named)) return named;
        throw usage("--split " + split + ": neither a file nor " + named);
    }

    private String stem(String line) {
        String base = Path.of(line).getFileName().toString();
        return Arrays.stream(new String[]{".png", ".jpg"}).filter(base::endsWith).findFirst().map(e -> base.substring(0, base.length() - 4)).orElse(base);
    }

    private CommandLine.ParameterException usage(String message) { return new CommandLine.ParameterException(spec.commandLine(), message); }
}
