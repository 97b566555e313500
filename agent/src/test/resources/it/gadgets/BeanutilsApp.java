import java.io.Serializable;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.commons.beanutils.BeanComparator;

/** commons-beanutils 1.9.2: people ordered by a bean property through BeanComparator, sent as serialisation bytes. */
public final class BeanutilsApp implements App {
    public String library() {
        return "commons-beanutils 1.9.2 (+ commons-collections 3.1, commons-logging 1.2)";
    }

    public List<Object> requests(String input) throws Exception {
        PriorityQueue<Object> people = new PriorityQueue<>(4, new BeanComparator("name"));
        people.add(new Person("zed-" + input));
        people.add(new Person(input));
        people.add(new Person("mia-" + input));
        return List.of(App.save(people));
    }

    public String handle(Object request) throws Exception {
        PriorityQueue<?> people = (PriorityQueue<?>) App.load(request);
        return "first=" + ((Person) people.peek()).getName();
    }

    /** The app's bean: BeanComparator reads its name through PropertyUtils. */
    public static final class Person implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;

        public Person(String name) {
            this.name = name;
        }

        public String getName() {
            return name;
        }
    }
}
