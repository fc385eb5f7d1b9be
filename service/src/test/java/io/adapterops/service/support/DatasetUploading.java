package io.adapterops.service.support;

import io.adapterops.service.support.TestServer.Reply;

import java.util.List;

import static io.adapterops.service.support.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Uploads are jobs: post the rows (202), then follow the upload's location until it has finished. */
public final class DatasetUploading {
    private DatasetUploading() {
    }

    /** Posts {@code rows} (with {@code query}, e.g. "?skipInvalid=true") and returns the finished upload. */
    public static Reply upload(TestServer server, String token, String dataset, String rows, String query) {
        Reply accepted = expect(202, server.post("/api/v1/datasets/" + dataset + "/versions" + query, token, rows));
        return finished(server, token, (String) accepted.get("location"));
    }

    /** Uploads {@code rows} and asserts the upload made (or found) a version. */
    public static Reply uploaded(TestServer server, String token, String dataset, String rows) {
        Reply done = upload(server, token, dataset, rows, "");
        assertEquals("SUCCEEDED", done.get("status"), done::toString);
        return done;
    }

    /** Polls an upload's location until it is SUCCEEDED or FAILED (at most two minutes). */
    public static Reply finished(TestServer server, String token, String location) {
        for (int i = 0; i < 2400; i++) {
            Reply r = expect(200, server.get(location, token));
            if (!List.of("RECEIVING", "QUEUED", "RUNNING").contains((String) r.get("status"))) {
                return r;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("upload " + location + " did not finish in two minutes");
    }
}
