DROP TABLE regions;
DROP TABLE qualities;
