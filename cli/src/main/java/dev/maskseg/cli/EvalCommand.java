package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.MiouFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "eval", description = "Evaluate predictions.", subcommands = {EvalCommand.MiouCommand.class, EvalModelCommands.Kmeans.class, EvalModelCommands.Linear.class,
        EvalModelCommands.RetrievalCommand.class})
final class EvalCommand {
    @Command(name = "miou", description = {"Dataset-level mIoU of PNG label maps matched by file stem (8-bit grayscale or palette index), "
            + "clusters matched to classes once: IoU-based Hungarian, many-to-one majority (over-clustering) or none.",
            "Writes {\"miou\", \"pixel_accuracy\", \"per_class_iou\", \"matching\": {pred: class}} to --json."})
    static final class MiouCommand implements Callable<Integer> {
        @Option(names = "--pred", required = true, description = "Folder of predicted label maps.")
        Path pred;

        @Option(names = "--gt", required = true, description = "Folder of ground-truth label maps.")
        Path gt;

        @Option(names = "--num-classes", required = true, description = "Number of ground-truth classes.")
        int classes;

        @Option(names = "--matching", defaultValue = "hungarian", description = "hungarian | majority | none (default: ${DEFAULT-VALUE}).")
        String matching;

        @Option(names = "--ignore", defaultValue = "255", description = "Ground-truth value to ignore (default: ${DEFAULT-VALUE}).")
        int ignore;

        @Option(names = "--json", required = true, description = "Output JSON file.")
        Path json;

        @Override
        public Integer call() throws Exception {
            Miou.Matching m;
            try {
                m = Miou.Matching.valueOf(matching.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--matching must be hungarian, majority or none, got '" + matching + "'");
            }
            Miou.Result r = MiouFiles.evaluate(pred, gt, classes, m, ignore);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("miou", r.miou());
            out.put("pixel_accuracy", r.pixelAccuracy());
            out.put("per_class_iou", r.perClassIou());
            Map<String, Integer> mapping = new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
            r.matching().forEach((p, c) -> mapping.put(Integer.toString(p), c));
            out.put("matching", mapping);
            byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(out);
            AtomicFiles.write(json, o -> o.write(bytes));
            System.out.printf("mIoU %.4f, pixel accuracy %.4f (%s matching); %s%n", r.miou(), r.pixelAccuracy(), matching, json);
            return 0;
        }
    }
}
