package io.adapterops.trainer.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The one serialisation of an {@link Example} that versions are hashed over: a ShareGPT row, as
 * LLaMA-Factory reads it, with fields always in the same order and no optional whitespace. The
 * reader reads it back to an equal example.
 */
public final class CanonicalJsonl {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<Role, String> FROM = TurnListFormat.SHAREGPT.names();

    private CanonicalJsonl() {
    }

    /** One row, without the line break. */
    public static String line(Example example) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            Conversation c = example instanceof PreferencePair p ? p.prompt() : (Conversation) example;
            if (c.system() != null) {
                g.writeStringField("system", c.system());
            }
            if (c.tools() != null) {
                g.writeStringField("tools", c.tools());
            }
            g.writeArrayFieldStart("conversations");
            for (Turn t : c.turns()) {
                turn(g, FROM.get(t.role()), t.content());
            }
            g.writeEndArray();
            if (example instanceof PreferencePair p) {
                g.writeFieldName("chosen");
                turn(g, FROM.get(Role.ASSISTANT), p.chosen());
                g.writeFieldName("rejected");
                turn(g, FROM.get(Role.ASSISTANT), p.rejected());
            }
            if (example.category() != null) {
                g.writeStringField("category", example.category());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void turn(JsonGenerator g, String from, String value) throws IOException {
        g.writeStartObject();
        g.writeStringField("from", from);
        g.writeStringField("value", value);
        g.writeEndObject();
    }
}
