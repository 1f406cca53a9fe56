package org.chexnet.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * The API's error body, {@code {"error": message, "status": status}}, for every error: the routes'
 * own and those Jetty answers before any route runs (a bad Content-Length, a path that is not a
 * URI), which would otherwise be an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
  static final String CONTENT_TYPE = "application/json";
  private static final ObjectMapper JSON = new ObjectMapper();

  JsonErrorHandler() {
    setShowStacks(false);
    setShowServlet(false);
  }

  /** The error body. */
  static byte[] body(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "error", message == null || message.isBlank() ? HttpStatus.getMessage(status) : message);
    body.put("status", status);
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request Jetty could not parse. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
    return ByteBuffer.wrap(body(status, reason));
  }

  /** An error Jetty's servlet layer sends (e.g. an ambiguous path). */
  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    baseRequest.setHandled(true);
    response.setContentType(CONTENT_TYPE);
    response.getOutputStream().write(body(code, message));
  }
}
