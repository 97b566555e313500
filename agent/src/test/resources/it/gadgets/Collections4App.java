import java.util.List;
import java.util.PriorityQueue;
import org.apache.commons.collections4.comparators.TransformingComparator;
import org.apache.commons.collections4.functors.InvokerTransformer;

/** commons-collections4 4.0: a queue of job names, shortest first by a reflective length(), sent as serialisation bytes. */
final class Collections4App implements App {
    public String library() {
        return "commons-collections4 4.0";
    }

    public List<Object> requests(String input) throws Exception {
        PriorityQueue<Object> jobs = new PriorityQueue<>(4, new TransformingComparator<Object, Integer>(
                new InvokerTransformer<Object, Integer>("length", new Class<?>[0], new Object[0])));
        jobs.add(input + "-report");
        jobs.add(input);
        jobs.add(input + "-backup-all");
        return List.of(App.save(jobs));
    }

    public String handle(Object request) throws Exception {
        PriorityQueue<?> jobs = (PriorityQueue<?>) App.load(request);
        return "first=" + jobs.peek();
    }
}
