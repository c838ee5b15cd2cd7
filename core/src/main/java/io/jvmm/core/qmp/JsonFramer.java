package io.jvmm.core.qmp;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a character stream into top-level JSON texts the way QEMU's JSON streamer does: a value
 * ends when its braces balance, wherever the line breaks fall, and several may share a line. Text
 * outside any object or array is collected up to the end of its line and handed out as one
 * malformed message, so garbage gets one error reply and the connection stays usable.
 */
final class JsonFramer {
    /** One framed message; {@code tooLarge} when it exceeded the limit and its text was dropped. */
    record Frame(String text, boolean tooLarge) {
    }

    private final int maxLength;
    private final StringBuilder buf = new StringBuilder();
    private int depth;
    private boolean inString;
    private boolean escaped;
    private boolean garbage;
    private boolean overflow;

    JsonFramer(int maxLength) {
        this.maxLength = maxLength;
    }

    /** Feeds characters; returns the messages they completed. */
    List<Frame> feed(char[] chars, int off, int len) {
        List<Frame> out = new ArrayList<>();
        for (int i = off; i < off + len; i++) {
            char c = chars[i];
            if (garbage) {
                if (c == '\n') {
                    emit(out);
                } else {
                    append(c);
                }
                continue;
            }
            if (depth == 0) {
                if (Character.isWhitespace(c)) {
                    continue;
                }
                if (c != '{' && c != '[') {
                    garbage = true;
                    append(c);
                    continue;
                }
            }
            append(c);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> {
                    depth--;
                    if (depth == 0) {
                        emit(out);
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }

    private void append(char c) {
        if (buf.length() >= maxLength) {
            overflow = true;
            return;
        }
        buf.append(c);
    }

    private void emit(List<Frame> out) {
        out.add(new Frame(overflow ? "" : buf.toString(), overflow));
        buf.setLength(0);
        depth = 0;
        inString = false;
        escaped = false;
        garbage = false;
        overflow = false;
    }
}
