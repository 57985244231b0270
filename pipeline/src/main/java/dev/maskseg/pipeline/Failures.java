package dev.maskseg.pipeline;

import dev.maskseg.engine.io.HeapBudget;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place a failure becomes one line for a person: the real cause behind wrappers, the file it concerns, and the
 * operating system's reason in words ("does not exist", "permission denied", "no space left on device", "out of
 * memory" with the flag that gives the JVM more). The CLI prints it for a command's failure, batch stages for each
 * file's error.
 */
public final class Failures {
    private Failures() {}

    /** One line describing {@code e}; it names the file where the failure concerns one. */
    public static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof OutOfMemoryError) {
            return "out of memory (the JVM heap's maximum is " + HeapBudget.human(Runtime.getRuntime().maxMemory())
                    + "); give the JVM more memory, e.g. MASKSEG_JAVA_OPTS=-Xmx" + Math.max(2, 2 * (Runtime.getRuntime().maxMemory() >> 30)) + "g";
        }
        if (t instanceof StackOverflowError) return "the input nests too deeply to process (stack overflow)";
        if (noSpaceItself(t)) return (t instanceof FileSystemException f && f.getFile() != null ? f.getFile() + ": " : "") + "no space left on device";
        if (t instanceof FileSystemException f && f.getFile() != null) {
            String why = switch (f) {
                case NoSuchFileException x -> "does not exist";
                case AccessDeniedException x -> "permission denied";
                case FileAlreadyExistsException x -> "already exists";
                case NotDirectoryException x -> "is not a folder";
                case DirectoryNotEmptyException x -> "is a folder that is not empty";
                default -> f.getReason() == null ? f.getClass().getSimpleName() : lowerFirst(f.getReason());
            };
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + why;
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) return t.getClass().getSimpleName();
        if (t instanceof ArithmeticException || t instanceof NullPointerException || t instanceof IndexOutOfBoundsException
                || t instanceof ClassCastException || t instanceof NegativeArraySizeException) {
            return "internal error " + t.getClass().getSimpleName() + ": " + msg + " (run with MASKSEG_DEBUG=1 for the stack trace)";
        }
        return msg;
    }

    /** The cause behind wrappers that add nothing (execution, completion, unchecked IO). */
    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Whether {@code e} (or a cause) is the device running out of space. */
    public static boolean noSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) if (noSpaceItself(t)) return true;
        return false;
    }

    /** Whether {@code t}'s own message is the operating system's "No space left on device" (not a message built around it). */
    private static boolean noSpaceItself(Throwable t) {
        String m = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
        return m != null && m.trim().equalsIgnoreCase("no space left on device");
    }

    private static String lowerFirst(String s) { return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1); }
}
