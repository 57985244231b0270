package dev.maskseg.spark;

import org.apache.hadoop.fs.RawLocalFileSystem;

import java.net.URI;

/**
 * The local file system under another scheme ({@code foreign:///tmp/...}), so a test drives the jobs down their Hadoop
 * path (listing, reading through Spark, writing with a temporary name and a rename), as for hdfs:// or s3a://.
 */
public class ForeignFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "foreign";

    @Override
    public URI getUri() { return URI.create(SCHEME + ":///"); }

    @Override
    public String getScheme() { return SCHEME; }
}
