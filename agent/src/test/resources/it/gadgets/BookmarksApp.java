import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** JDK only: bookmarks keyed by java.net.URL, sent as serialisation bytes: the classes URLDNS is made of are the app's own data. */
final class BookmarksApp implements App {
    public String library() {
        return "JDK only";
    }

    public List<Object> requests(String input) throws Exception {
        HashMap<URL, String> bookmarks = new HashMap<>();
        bookmarks.put(new URL("https://docs.example.invalid/" + input), input);
        return List.of(App.save(bookmarks));
    }

    public String handle(Object request) throws Exception {
        Map<?, ?> bookmarks = (Map<?, ?>) App.load(request);
        return "bookmarks=" + bookmarks.size();
    }
}
