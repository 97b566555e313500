package dev.preempt.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void anyStringRoundTripsThroughAJsonParser() throws Exception {
        String awkward = "quote \" backslash \\ newline \n tab \t nul \0 bell \u0007 </script> & <b> \u2028 é 😀";
        assertEquals(awkward, new ObjectMapper().readValue(Json.quote(awkward), String.class));
    }

    @Test
    void theLiteralCannotEndAnHtmlScript() {
        assertEquals("\"\\u003c/script\\u003e\"", Json.quote("</script>"));
    }

    @Test
    void microsecondsKeepNanosecondDecimals() {
        assertEquals("1.234", Json.micros(1234));
        assertEquals("0.005", Json.micros(5));
        assertEquals("12000.050", Json.micros(12_000_050));
        assertEquals("-0.500", Json.micros(-500));
    }
}
