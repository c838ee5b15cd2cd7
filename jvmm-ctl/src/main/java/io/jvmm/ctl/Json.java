package io.jvmm.ctl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * JSON for jvmmctl: Jackson's streaming parser and generator with its tree nodes, but no ObjectMapper. Setting up
 * an ObjectMapper (its serializer and deserializer machinery) took about half of a jvmmctl run's start-up, and a
 * QMP client only ever needs trees.
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /**
     * Exactly one JSON value.
     *
     * @throws JsonParseException if the text is not one well-formed JSON value
     */
    public static JsonNode parse(String text) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                throw new JsonParseException(parser, "no JSON value");
            }
            JsonNode value = read(parser);
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one JSON value");
            }
            return value;
        }
    }

    /** A parser for a stream of whitespace-separated JSON values, as a QMP server sends them. */
    static JsonParser parser(InputStream in) throws IOException {
        return FACTORY.createParser(in);
    }

    /** The value that starts at the parser's current token; the parser is left on its last token. */
    static JsonNode read(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> {
                ObjectNode object = object();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.set(name, read(parser));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = array();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser));
                }
                yield array;
            }
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(parser, "unexpected " + token);
        };
    }

    /** One line, no spaces: what a script reading jvmmctl's output line by line wants. */
    public static String compact(JsonNode node) {
        return write(node, false);
    }

    /** Indented over several lines, for people. */
    public static String pretty(JsonNode node) {
        return write(node, true);
    }

    private static String write(JsonNode node, boolean pretty) {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(text)) {
            if (pretty) {
                generator.useDefaultPrettyPrinter();
            }
            write(generator, node);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string cannot fail", e);
        }
        return text.toString();
    }

    private static void write(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                generator.writeStartObject();
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    generator.writeFieldName(field.getKey());
                    write(generator, field.getValue());
                }
                generator.writeEndObject();
            }
            case ARRAY -> {
                generator.writeStartArray();
                for (JsonNode element : node) {
                    write(generator, element);
                }
                generator.writeEndArray();
            }
            case NUMBER -> {
                if (node.isBigInteger()) {
                    generator.writeNumber(node.bigIntegerValue());
                } else if (node.isIntegralNumber()) {
                    generator.writeNumber(node.longValue());
                } else if (node.isBigDecimal()) {
                    generator.writeNumber(node.decimalValue());
                } else {
                    generator.writeNumber(node.doubleValue());
                }
            }
            case BOOLEAN -> generator.writeBoolean(node.booleanValue());
            case NULL, MISSING -> generator.writeNull();
            default -> generator.writeString(node.asText());
        }
    }
}
