package dev.llmproxy.servlet;

import dev.llmproxy.core.ErrorResponse;
import dev.llmproxy.core.LlmProxy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code {mount}/{provider}/{path}} (mount {@code /proxy} by default) with an {@link
 * LlmProxy} and passes every other request down the chain.
 *
 * <p>Register it for {@code /*} with async support enabled. Each proxied request switches to async
 * mode at once, so a long stream holds no container thread; the proxy's executor does the I/O and
 * flushes every upstream chunk.
 *
 * <pre>{@code
 * FilterRegistration.Dynamic filter =
 *     servletContext.addFilter("llmproxy", new LlmProxyFilter(proxy));
 * filter.setAsyncSupported(true);
 * filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
 * }</pre>
 *
 * <p>For {@code web.xml} registration, use the no-argument constructor and put the {@link LlmProxy}
 * in the servlet context attribute {@link #PROXY_ATTRIBUTE}; the init parameter {@code mount-path}
 * changes the mount point.
 */
public final class LlmProxyFilter implements Filter {
  private static final Logger log = LoggerFactory.getLogger(LlmProxyFilter.class);

  /** Servlet context attribute holding the {@link LlmProxy} for the no-argument constructor. */
  public static final String PROXY_ATTRIBUTE = LlmProxy.class.getName();

  /** The default mount point. */
  public static final String DEFAULT_MOUNT_PATH = "/proxy";

  /** The missing async support is logged once, not per request. */
  private final AtomicBoolean warnedNoAsync = new AtomicBoolean();

  private LlmProxy proxy;
  private String mountPath;
  private ContainerSupport support; // null until init() finds one for the container

  /** A filter that takes its proxy from the servlet context in {@link #init}. */
  public LlmProxyFilter() {}

  /** A filter serving {@code proxy} under {@value #DEFAULT_MOUNT_PATH}. */
  public LlmProxyFilter(LlmProxy proxy) {
    this(proxy, DEFAULT_MOUNT_PATH);
  }

  /** A filter serving {@code proxy} under {@code mountPath}, e.g. {@code /llm}. */
  public LlmProxyFilter(LlmProxy proxy, String mountPath) {
    this.proxy = Objects.requireNonNull(proxy, "proxy");
    this.mountPath = normalizeMount(mountPath);
  }

  /**
   * A filter serving {@code proxy} under {@code mountPath} that ends broken streams with {@code
   * aborter}, a container-specific way to reset a committed response.
   */
  public LlmProxyFilter(LlmProxy proxy, String mountPath, ResponseAborter aborter) {
    this(proxy, mountPath, ContainerSupport.of(Objects.requireNonNull(aborter, "aborter")));
  }

  /**
   * A filter serving {@code proxy} under {@code mountPath} with {@code support} for its container,
   * instead of the one {@link #init} would find.
   */
  public LlmProxyFilter(LlmProxy proxy, String mountPath, ContainerSupport support) {
    this(proxy, mountPath);
    this.support = Objects.requireNonNull(support, "support");
  }

  private static String normalizeMount(String mountPath) {
    if (!mountPath.startsWith("/") || mountPath.length() < 2 || mountPath.endsWith("/")) {
      throw new IllegalArgumentException("mount path must look like /proxy: " + mountPath);
    }
    return mountPath;
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    if (support == null) {
      support = ContainerSupports.find(config.getServletContext());
    }
    if (proxy == null) {
      Object attribute = config.getServletContext().getAttribute(PROXY_ATTRIBUTE);
      if (!(attribute instanceof LlmProxy configured)) {
        throw new ServletException("No LlmProxy in servlet context attribute " + PROXY_ATTRIBUTE);
      }
      proxy = configured;
    }
    if (mountPath == null) {
      String configured = config.getInitParameter("mount-path");
      mountPath = normalizeMount(configured != null ? configured : DEFAULT_MOUNT_PATH);
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    String path = proxyPath(request);
    if (path == null) {
      chain.doFilter(req, res);
      return;
    }
    if (!request.isAsyncSupported()) {
      if (warnedNoAsync.compareAndSet(false, true)) {
        log.error(
            "llmproxy: {} was refused: the filter (or a filter or servlet before it) is registered"
                + " without async support; call setAsyncSupported(true) on every one in the chain",
            request.getRequestURI());
      }
      ErrorResponse error =
          proxy.containerError(path, 500, "The proxy filter is registered without async support.");
      response.setStatus(error.status());
      response.setContentType(error.contentType());
      response.getOutputStream().write(error.body());
      return;
    }
    AsyncContext async = request.startAsync(request, response);
    async.setTimeout(0); // the upstream side owns timeouts
    ServletProxyExchange exchange =
        new ServletProxyExchange(request, response, async, support, path);
    try {
      proxy.handle(exchange);
    } catch (RuntimeException e) {
      exchange.abort();
      throw e;
    }
  }

  /** The raw path below the mount point, or {@code null} if the request is not for the proxy. */
  private String proxyPath(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    if (!context.isEmpty() && uri.startsWith(context)) {
      uri = uri.substring(context.length());
    }
    if (!uri.startsWith(mountPath)) {
      return null;
    }
    if (uri.length() == mountPath.length()) {
      return "";
    }
    return uri.charAt(mountPath.length()) == '/' ? uri.substring(mountPath.length()) : null;
  }
}
