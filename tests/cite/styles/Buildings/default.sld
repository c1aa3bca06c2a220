<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>Buildings</se:Name>
  <UserStyle>
   <se:Name>default</se:Name>
   <se:Description><se:Title>Buildings</se:Title></se:Description>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>Buildings</se:Name>
     <se:Description><se:Title>Buildings</se:Title></se:Description>
     <se:PolygonSymbolizer>
      <se:Fill><se:SvgParameter name="fill">#b07050</se:SvgParameter></se:Fill>
      <se:Stroke><se:SvgParameter name="stroke">#503020</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
     </se:PolygonSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
