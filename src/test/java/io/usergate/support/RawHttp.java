package io.usergate.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Raw bytes to the service, for requests no HTTP client would send (no Host, a garbage request line). */
public final class RawHttp {

  private RawHttp() {
  }

  /** Writes {@code request} to 127.0.0.1:{@code port} and returns everything read until the server closes. */
  public static String exchange(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      for (int read; (read = in.read(chunk)) > 0; ) {
        answer.write(chunk, 0, read);
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
