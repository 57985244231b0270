package dev.maskseg.cli;

import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.batch.BatchOptions;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options of the batch commands that write a folder of per-image outputs (a picocli mixin): bad files and the output folder. */
final class BatchFlags {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--strict", description = "Stop at the first file that cannot be processed instead of reporting it, recording it in OUT/run.json and going on.")
    boolean strict;

    @Option(names = "--resume", description = "Continue the finished run in --out (outputs already there are kept; new and failed images are done).")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace the run (or other files) in --out instead of refusing it.")
    boolean overwrite;

    BatchOptions options() { return new BatchOptions(strict, mode(command, resume, overwrite)); }

    /** The output-folder mode of the two flags; both at once (refused by {@link RunFolder.Mode#of}) is a usage error. */
    static RunFolder.Mode mode(CommandSpec command, boolean resume, boolean overwrite) {
        try {
            return RunFolder.Mode.of(resume, overwrite);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
    }
}
