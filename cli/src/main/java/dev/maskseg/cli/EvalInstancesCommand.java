package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.instances.CocoDataset;
import dev.maskseg.pipeline.instances.CocoEval;
import dev.maskseg.pipeline.instances.CocoJson;
import dev.maskseg.pipeline.instances.CocoResult;
import dev.maskseg.pipeline.instances.InstanceStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code maskseg eval instances} (docs/design.md §4b): COCOeval of a results file against COCO instances ground truth. */
@Command(name = "instances", description = {"Instance segmentation (or box) AP of COCO results against COCO instances ground truth, "
        + "with pycocotools' COCOeval semantics (RLE and polygon ground truth, crowd regions, area ranges, 1/10/100 detections, "
        + "101-point interpolation).",
        "Writes {\"AP\", \"AP50\", \"AP75\", \"APs\", \"APm\", \"APl\", \"AR1\", \"AR10\", \"AR100\", \"ARs\", \"ARm\", \"ARl\"} "
                + "as fractions (-1 where undefined) to --json."})
final class EvalInstancesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--gt", required = true, description = "COCO instances JSON (images, annotations, categories); 'maskseg make-instances' writes one.")
    Path gt;

    @Option(names = "--pred", required = true, description = "COCO results JSON: a list of {image_id, category_id, score, segmentation (RLE or polygons) and/or bbox}.")
    Path pred;

    @Option(names = "--iou-type", defaultValue = "segm", description = "segm | bbox (default: ${DEFAULT-VALUE}).")
    String iouType;

    @Option(names = "--class-agnostic", description = "Put every ground truth and prediction in one category before evaluating (MaskDistill's class-agnostic files).")
    boolean classAgnostic;

    @Option(names = "--single-object", description = "MaskDistill's eval_instances.py --eval_most_confident: per image the first highest-scored "
            + "prediction, against the one ground-truth instance whose box has the largest IoU with its box.")
    boolean singleObject;

    @Option(names = "--json", required = true, description = "Output JSON file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        CocoEval.IouType type;
        try {
            type = CocoEval.IouType.parse(iouType);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--iou-type must be segm or bbox, got '" + iouType + "'");
        }
        CocoDataset truth = CocoJson.readDataset(gt);
        List<CocoResult> results = CocoJson.readResults(pred);
        CocoEval.Result r;
        try {
            r = CocoEval.evaluate(truth, results, new CocoEval.Options(type, classAgnostic, singleObject));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(pred + " against " + gt + ": " + e.getMessage(), e);
        }
        Map<String, Double> stats = r.stats().toMap();
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(stats);
        AtomicFiles.write(json, o -> o.write(bytes));
        if (r.skippedGroundTruths() > 0 || r.skippedDetections() > 0) {
            System.err.printf("eval instances: left out %d ground truth(s) and %d prediction(s) whose image or category is not listed in %s%n",
                    r.skippedGroundTruths(), r.skippedDetections(), gt);
        }
        StringBuilder line = new StringBuilder();
        double[] v = r.stats().toArray();
        for (int i = 0; i < v.length; i++) line.append(i == 0 ? "" : ", ").append(InstanceStats.NAMES[i]).append(String.format(" %.4f", v[i]));
        System.out.printf("%s %s%s%s: %d images, %d categories, %d ground truths, %d predictions evaluated%n%s%n%s%n", type.name().toLowerCase(),
                "AP", classAgnostic ? " (class-agnostic)" : "", singleObject ? " (single object)" : "", r.images(), r.categories(),
                r.groundTruths(), r.detections(), line, json);
        return 0;
    }
}
