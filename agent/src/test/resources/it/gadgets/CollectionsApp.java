import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;

/** commons-collections 3.1: a cache whose values a LazyMap derives by a reflective call, sent as serialisation bytes. */
final class CollectionsApp implements App {
    public String library() {
        return "commons-collections 3.1";
    }

    @SuppressWarnings("unchecked")
    public List<Object> requests(String key) throws Exception {
        Transformer t = new ChainedTransformer(new Transformer[] {new ConstantTransformer(key), new InvokerTransformer("toUpperCase", new Class<?>[0], new Object[0])});
        Map<Object, Object> cache = new HashMap<>();
        cache.put(new TiedMapEntry(LazyMap.decorate(new HashMap<Object, Object>(), t), key), "entry");
        return List.of(App.save(cache));
    }

    public String handle(Object request) throws Exception {
        Map<?, ?> cache = (Map<?, ?>) App.load(request);
        return String.valueOf(cache.keySet().iterator().next());
    }
}
