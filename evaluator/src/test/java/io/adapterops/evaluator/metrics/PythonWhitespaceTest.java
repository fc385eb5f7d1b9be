package io.adapterops.evaluator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PythonWhitespaceTest {

    @Test
    void spacesAreExactlyThoseOfPythonsStrIsspace() {
        // Python 3.11: [c for c in range(0x110000) if chr(c).isspace()]
        List<Integer> python = List.of(0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
                0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
                0x2028, 0x2029, 0x202f, 0x205f, 0x3000);
        assertEquals(python, IntStream.rangeClosed(0, Character.MAX_CODE_POINT).filter(PythonWhitespace::isSpace)
                .boxed().toList());
    }

    @Test
    void splitAndRstripBehaveAsPythons() {
        assertEquals(List.of("a", "b"), PythonWhitespace.split("\u3000a\u00a0\u2007b\u0085"));
        assertEquals(List.of(), PythonWhitespace.split(" \u202f "));
        assertEquals("\u00a0a", PythonWhitespace.rstrip("\u00a0a\u00a0\n"));
    }
}
