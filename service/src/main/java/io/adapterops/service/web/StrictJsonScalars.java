package io.adapterops.service.web;

import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.type.Argument;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.serde.Decoder;
import io.micronaut.serde.Deserializer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Serde coerces freely (the string "perhaps" becomes {@code false}, {@code ["b"]} becomes "b").
 * An API that must reject wrong types replaces the scalar deserializers with ones that accept only
 * the matching JSON token.
 */
@Factory
public class StrictJsonScalars {

    private static <T> Deserializer<T> strict(String expected, Predicate<JsonNode> accepts, Function<JsonNode, T> read) {
        return new Deserializer<>() {
            @Override
            public T deserialize(Decoder decoder, DecoderContext context, Argument<? super T> type) throws IOException {
                JsonNode node = decoder.decodeNode();
                if (node.isNull()) {
                    return null;
                }
                if (!accepts.test(node)) {
                    throw decoder.createDeserializationException("expected " + expected + " for property ["
                            + type.getName() + "]", node);
                }
                return read.apply(node);
            }

            @Override
            public T deserializeNullable(Decoder decoder, DecoderContext context, Argument<? super T> type)
                    throws IOException {
                return deserialize(decoder, context, type);
            }

            @Override
            public boolean allowNull() {
                return true;
            }
        };
    }

    @Singleton
    @Order(-100)
    Deserializer<String> strictString() {
        return strict("a JSON string", JsonNode::isString, JsonNode::getStringValue);
    }

    @Singleton
    @Order(-100)
    Deserializer<Boolean> strictBoolean() {
        return strict("true or false", JsonNode::isBoolean, JsonNode::getBooleanValue);
    }

    @Singleton
    @Order(-100)
    Deserializer<Integer> strictInteger() {
        return strict("a whole number", n -> n.isNumber() && isWhole(n), JsonNode::getIntValue);
    }

    @Singleton
    @Order(-100)
    Deserializer<Long> strictLong() {
        return strict("a whole number", n -> n.isNumber() && isWhole(n), JsonNode::getLongValue);
    }

    @Singleton
    @Order(-100)
    Deserializer<Double> strictDouble() {
        return strict("a number", JsonNode::isNumber, JsonNode::getDoubleValue);
    }

    private static boolean isWhole(JsonNode n) {
        double d = n.getDoubleValue();
        return d == Math.rint(d) && Math.abs(d) <= Long.MAX_VALUE;
    }
}
